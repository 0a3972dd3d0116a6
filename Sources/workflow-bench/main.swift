import Workflow
import WorkflowServer
