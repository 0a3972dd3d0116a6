import CWarmlane
public enum LinuxSystemModule {}
