"""CSV imports (jobs, candidates): a preview stored with its report, then an all-or-nothing
import of exactly the previewed file. The domains validate rows; this module keeps batches."""
