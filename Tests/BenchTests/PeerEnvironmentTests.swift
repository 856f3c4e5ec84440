import Bench
import Foundation
import Testing

/// Finding the peers: the scripts folder and the venvs `setup-venv.sh` makes, where it makes
/// them or where its variables put them.
@Suite("signet bench: the peers' environment")
struct PeerEnvironmentTests {
    /// A scratch folder with the three scripts and, if asked, fake venv pythons.
    static func scratch(venvs: [String]) throws -> URL {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("peer-environment-\(UUID().uuidString)")
        let scripts = root.appendingPathComponent("peers")
        try FileManager.default.createDirectory(at: scripts, withIntermediateDirectories: true)
        for script in ["sklearn_clustering.py", "umap_peer.py", "training_peer.py"] {
            try Data("# a peer\n".utf8).write(to: scripts.appendingPathComponent(script))
        }
        for venv in venvs {
            let bin = root.appendingPathComponent(venv).appendingPathComponent("bin")
            try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
            let python = bin.appendingPathComponent("python")
            try Data("#!/bin/sh\n".utf8).write(to: python)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: python.path)
        }
        return root
    }

    @Test func findsTheVenvsUnderTheCacheOrWhereTheVariablesSay() throws {
        let root = try Self.scratch(venvs: [".cache/signet/peers-venv", "elsewhere/training"])
        defer { try? FileManager.default.removeItem(at: root) }
        let found = try PeerEnvironment.find(scripts: root.appendingPathComponent("peers"), data: "/data", work: root,
                                             environment: ["HOME": root.path, "SIGNET_TRAINING_PEERS_VENV": root.appendingPathComponent("elsewhere/training").path])
        #expect(found.analysisPython == root.appendingPathComponent(".cache/signet/peers-venv/bin/python").path)
        #expect(found.trainingPython == root.appendingPathComponent("elsewhere/training/bin/python").path)
        #expect(found.data == "/data")
    }

    @Test func oneVenvIsEnough() throws {
        let root = try Self.scratch(venvs: [".cache/signet/training-peers-venv"])
        defer { try? FileManager.default.removeItem(at: root) }
        let found = try PeerEnvironment.find(scripts: root.appendingPathComponent("peers"), data: nil, work: root, environment: ["HOME": root.path])
        #expect(found.analysisPython == nil && found.trainingPython != nil)
    }

    @Test func saysWhatIsMissing() throws {
        let root = try Self.scratch(venvs: [])
        defer { try? FileManager.default.removeItem(at: root) }
        #expect(throws: BenchError.self) {
            try PeerEnvironment.find(scripts: root.appendingPathComponent("peers"), data: nil, work: root, environment: ["HOME": root.path])
        }
        do {
            _ = try PeerEnvironment.find(scripts: root, data: nil, work: root, environment: ["HOME": root.path])
            Issue.record("a folder without the scripts was taken")
        } catch let error as BenchError {
            #expect(error.description.contains("has no sklearn_clustering.py"), "\(error)")
        }
    }
}
