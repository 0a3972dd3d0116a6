// Workflow host library lives here (issue 5).
public enum WorkflowModule {}
