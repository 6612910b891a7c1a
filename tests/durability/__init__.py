"""Durability proofs (issue 11 item 4): crashes, outages and races against real processes and databases."""
