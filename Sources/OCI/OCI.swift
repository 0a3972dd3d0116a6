public enum OCIModule {}
