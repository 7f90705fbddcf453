import Foundation
import Testing
@testable import IngotFormat

/// The bad-file suite shared with the Python package (fixtures/hostile: files + cases.json, written by
/// fixtures/hostile/generate.py): each file must be refused at its stage with an error line containing the expected
/// text. python/tests/test_hostile.py checks the Python reader against the same expectations.
enum SharedHostileFixtures {
    static let dir: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }  // IngotFormatTests → Tests → repository root
        return url.path + "/fixtures/hostile"
    }()

    struct Case: Sendable, CustomTestStringConvertible {
        let file: String, stage: String, expect: String, tensor: String?
        var testDescription: String { file }
    }

    static let cases: [Case] = {
        guard let data = FileManager.default.contents(atPath: dir + "/cases.json"),
            let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            let list = root["cases"] as? [[String: Any]]
        else { return [] }
        return list.compactMap { c in
            guard let file = c["file"] as? String, let stage = c["stage"] as? String, let expect = c["expect"] as? String
            else { return nil }
            return Case(file: file, stage: stage, expect: expect, tensor: c["tensor"] as? String)
        }
    }()
}

@Suite struct SharedHostileFileTests {
    @Test func suiteIsPresent() {
        #expect(SharedHostileFixtures.cases.count >= 30)
    }

    @Test(arguments: SharedHostileFixtures.cases)
    func refusedWithTheSharedMessage(_ c: SharedHostileFixtures.Case) throws {
        let path = SharedHostileFixtures.dir + "/" + c.file
        var stage = "open"
        do {
            let f = try IngotFile(path: path)
            stage = "read"
            for t in f.tensors { try f.verify(t) }
        } catch {
            let line = "\(error)"
            #expect(stage == c.stage, "\(c.file): refused at \(stage): \(line)")
            #expect(line.contains(c.expect), "\(c.file): \(line)")
            #expect(line.hasPrefix(path + ": "), "\(c.file): \(line)")
            return
        }
        #expect(c.stage == "none", "\(c.file) was accepted; expected \(c.stage) to fail with \(c.expect)")
    }
}
