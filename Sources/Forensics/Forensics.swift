/// The forensic questions over an ingested store.
///
/// Each question is a type with a static `fetch(_ db: Database, …)` that reads
/// the store and returns plain values with their evidence lines. Nothing here
/// prints or writes: the command line and the report render the values.
///
/// Most questions share one analysis of the outbreak, ``Outbreak``, which
/// finds the worm's messages, the infected hosts and their onsets from what
/// the logs hold. See `docs/forensics.md` for the method and its limits.
public enum Forensics {}
