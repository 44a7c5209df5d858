import ArgumentParser
import FakeSecretsManager
import Foundation
import SecretsManager
import Simulation

/// `smdrill fake`: puts the in-process fake Secrets Manager through its paces and reports what it answered.
struct FakeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fake",
        abstract: "Exercise the in-process fake Secrets Manager: create, rotate and read secrets in virtual time.",
        discussion: """
            Creates an instance in a fake region (three zones, envelope encryption under a Key Protect root key,
            state in SQLite), then through the v2 API creates N secrets, rotates each once and reads each, with
            the default latency model. Prints the answers counted by status and the virtual time taken.

            Example:
              smdrill fake --secrets 500 --seed 42 --fail-zone 2
            """)

    @Option(help: "How many secrets to create, rotate and read.")
    var secrets: Int = 200

    @Option(help: "The seed of every random draw.")
    var seed: UInt64 = 1

    @Option(help: "Take this zone (1-3) of the region down before the reads, to see the load balancer's window.")
    var failZone: Int?

    @Option(help: "Where to keep the instance database (default: a new temporary folder, removed afterwards).")
    var directory: String?

    @Flag(help: "Also print the wall-clock time of each phase and the operations per second.")
    var timing = false

    func validate() throws {
        guard (1...100_000).contains(secrets) else {
            throw ValidationError("--secrets must be 1 to 100000, got \(secrets)")
        }
        if let failZone, !(1...3).contains(failZone) {
            throw ValidationError("--fail-zone must be 1, 2 or 3, got \(failZone)")
        }
    }

    func run() throws {
        let folder = directory.map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("smdrill-fake-\(ProcessInfo.processInfo.processIdentifier)-\(seed)")
        defer { if directory == nil { try? FileManager.default.removeItem(at: folder) } }
        let exercise = try FakeExercise(directory: folder, seed: seed, secrets: secrets, failZone: failZone)
        let report = try exercise.run()
        print(report.text)
        if timing {
            for (phase, seconds) in report.wallClock {
                print("wall clock \(phase)  \(String(format: "%.3f", seconds))s  \(Int(Double(secrets) / seconds)) operations/s")
            }
        }
    }
}

/// The work behind `smdrill fake`, kept apart from argument parsing so tests can run it.
struct FakeExercise {
    struct Report {
        var answers: [String: Int]
        var virtualTime: Duration
        /// Wall-clock seconds of each phase, in order.
        var wallClock: [(String, Double)]
        var instanceCRN: String
        var text: String {
            var lines = ["instance  \(instanceCRN)", "virtual time  \(virtualTime.compactDescription)"]
            for key in answers.keys.sorted() { lines.append("\(key)  \(answers[key]!)") }
            return lines.joined(separator: "\n")
        }
    }

    let cloud: FakeCloud
    let instance: ServiceInstance
    let secrets: Int
    let failZone: Int?

    init(directory: URL, seed: UInt64, secrets: Int, failZone: Int?) throws {
        cloud = try FakeCloud(configuration: FakeCloudConfiguration(seed: seed, directory: directory))
        cloud.addRegion("us-south")
        let kms = cloud.createKeyManagement(.keyProtect, region: "us-south")
        let operator_ = Principal("iam-ServiceId-smdrill-operator")
        instance = try cloud.createInstance(
            name: "smdrill-fake", region: "us-south", rootKey: kms.createRootKey(),
            policies: [AccessPolicy(principal: operator_, role: .manager)])
        self.secrets = secrets
        self.failZone = failZone
    }

    func run() throws -> Report {
        let client = FakeSecretsManagerClient(
            cloud: cloud, instanceID: instance.id, principal: Principal("iam-ServiceId-smdrill-operator"),
            timeout: .seconds(2))
        let tally = Tally()
        let count = secrets
        let cloud = cloud
        let failZone = failZone
        let process = cloud.scheduler.spawn("exercise") {
            var ids: [String] = []
            tally.phase("create")
            for index in 0..<count {
                await tally.attempt("create") {
                    let secret = try await client.createSecret(
                        SecretPrototype(name: "secret-\(index)", data: .arbitrary(payload: SecretPayload("value-\(index)"))))
                    ids.append(secret.id)
                }
            }
            tally.phase("rotate")
            for id in ids {
                await tally.attempt("rotate") {
                    _ = try await client.createSecretVersion(
                        secretID: id, SecretVersionPrototype(data: .arbitrary(payload: SecretPayload("rotated"))))
                }
            }
            if let failZone { cloud.setZone(region: "us-south", zone: failZone, alive: false) }
            tally.phase("read")
            for id in ids {
                await tally.attempt("read") { _ = try await client.getSecret(id: id) }
            }
            tally.phase(nil)
        }
        cloud.scheduler.run(until: process)
        cloud.scheduler.shutDown()
        cloud.close()
        return Report(
            answers: tally.counts, virtualTime: cloud.scheduler.now.sinceStart, wallClock: tally.wallClock,
            instanceCRN: instance.crn.description)
    }
}

/// Counts of answers by operation and outcome.
final class Tally: @unchecked Sendable {
    var counts: [String: Int] = [:]
    var wallClock: [(String, Double)] = []
    private var current: (String, ContinuousClock.Instant)?

    /// Ends the current phase's wall-clock span and starts the next one.
    func phase(_ name: String?) {
        let now = ContinuousClock.now
        if let current { wallClock.append((current.0, (now - current.1).seconds)) }
        current = name.map { ($0, now) }
    }

    func attempt(_ operation: String, _ body: () async throws -> Void) async {
        do {
            try await body()
            counts["\(operation) ok", default: 0] += 1
        } catch let error as SecretsManagerError {
            counts["\(operation) \(error.status)", default: 0] += 1
        } catch {
            counts["\(operation) no answer", default: 0] += 1
        }
    }
}
