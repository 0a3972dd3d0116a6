// hello: the smallest workflow app. One function, greet, composed by workflow.json.
import Workflow
import WorkflowServer

struct Greeting: Decodable { var name: String? }
struct Reply: Encodable { var message: String; var length: Int }

let app = WorkflowApp(name: "hello")
app.register("greet") { (input: Greeting, _) in
    let name = input.name ?? "world"
    return Reply(message: "Hello, \(name)!", length: name.count)
}
WorkflowHost.main(app: app)
