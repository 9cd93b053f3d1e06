"""Use cases: one verb-named function per operation, one transaction each; the only code that
commits. Every operation takes keyword-only arguments and is safe to retry."""
