/// Synthetic outbreaks and their ground truth.
public enum Simulation {}
