"""nianbao: the command line and settings that tie the data path together."""

__version__ = "0.1.0"
