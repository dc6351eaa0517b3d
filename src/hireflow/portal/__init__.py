"""The candidate portal: a candidate's own account, profile, documents, applications and
saved jobs."""
