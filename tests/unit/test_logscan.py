"""The suite-wide log check (tests/logscan.py) sees what it must and nothing else."""
import logscan


def test_it_finds_full_numbers_names_tokens_and_the_callback_key():
    text = "\n".join([
        "INFO grs.x: sms from +8801712345678", "INFO grs.x: lookup 01812345678", "INFO grs.x: Rahima Begum called",
        "INFO werkzeug: POST /hooks/sms/africastalking?key=at-test-key 200",
        "INFO grs.x: token grs_" + "a" * 43, "INFO grs.x: +2348031234567"])
    assert len(logscan.findings(text)) == 6


def test_it_lets_masked_numbers_and_tracking_codes_through():
    text = "\n".join(["INFO grs.outbox: sent by console to +880•••••••678", "INFO grs.x: grievance 863711528299",
                      "INFO grs.x: grievance id=12 resolve: in_progress -> resolved",
                      "INFO werkzeug: POST /hooks/sms/africastalking?key=[redacted] 200"])
    assert logscan.findings(text) == []
