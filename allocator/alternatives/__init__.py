"""Other good portfolios: those within a band of the optimum, as different as possible
from it and from each other, or every one of them best first (``allocator
alternatives``)."""
