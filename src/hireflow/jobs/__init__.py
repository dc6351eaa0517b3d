"""Jobs: postings with versions, templates, CSV import and recruiter assignment."""
