"""Two-stage plans: one first stage for every future of a case's uncertainty, and its value."""
