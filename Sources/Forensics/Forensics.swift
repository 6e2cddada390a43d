/// The forensic questions over an ingested store.
public enum Forensics {}
