import Forensics

/// HTML and SVG rendering of forensic results.
public enum Report {}
