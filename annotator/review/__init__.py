"""Agreement measures and adjudication (pure, testable)."""
