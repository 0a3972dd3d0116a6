import OCI
import LinuxSystem
public enum RuntimeModule {}
