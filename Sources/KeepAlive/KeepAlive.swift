// Keep-alive policies live here (issue 4).
public enum KeepAliveModule {}
