"""The statistics dashboard for analysts, supervisors and admins (/dashboard/): figures, charts, exports, reports."""
