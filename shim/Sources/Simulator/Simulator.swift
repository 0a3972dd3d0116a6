import KeepAlive
// Trace replay lives here (issue 4).
public enum SimulatorModule {}
