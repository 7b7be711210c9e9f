"""Next quarter's plan: the decisions that took effect held as they were, the rest
re-optimised on the updated case (``allocator replan``)."""
