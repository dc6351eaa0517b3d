"""Applications: a candidate for a job, moving through the job's pipeline stages."""
