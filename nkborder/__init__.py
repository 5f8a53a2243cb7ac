"""nkborder: agent-based simulator of the border-city economies of Hoeryong and Hyesan."""

__version__ = "0.1.0"
