/// What a drill may ask for: a scenario that could not finish (or would exhaust memory) is refused up front
/// with the limit it broke.
public enum ScenarioLimits {
    public static let maximumDuration: Duration = .seconds(400 * 86_400)
    public static let maximumSecrets = 1_000_000
    public static let maximumClients = 100_000
    /// Client requests a drill may make in all: clients x rate x duration.
    public static let maximumRequests = 200_000_000.0

    static func check(_ scenario: Scenario, top: YAMLObject) throws(InputError) {
        guard scenario.duration <= maximumDuration else {
            throw InputError(
                top.location(of: "duration"),
                "a drill of \(scenario.duration.compactDescription) is longer than the limit of \(maximumDuration.compactDescription)")
        }
        guard scenario.data.secrets <= maximumSecrets else {
            throw InputError(
                top.location(of: "data"),
                "\(scenario.data.secrets) secrets is more than the limit of \(maximumSecrets) per drill")
        }
        let requests = Double(scenario.workload.clients) * scenario.workload.ratePerClient * scenario.duration.seconds
        guard requests <= maximumRequests else {
            throw InputError(
                top.location(of: "workload"),
                "the workload would make about \(Int(requests)) requests (clients x rate x duration), more than the limit of \(Int(maximumRequests)); shorten the drill or lower the rate")
        }
    }
}
