import Foundation
import Testing

/// `calibrate`, mixes and `--imatrix` end to end.
extension CLITests {
    @Test func calibrateThenQuantizeAMixIntoGGUFWithTheImatrix() throws {
        let d = tempDir()
        let text = d + "/calibration.txt"
        try String(repeating: "Weights are numbers; a model is a file of them. Hello, Ingot weights! ", count: 20)
            .write(toFile: text, atomically: true, encoding: .utf8)
        let c = try ingot("calibrate", llamaDir, "--text", text, "--ctx", "32", "-o", d + "/m.imatrix", "--json")
        #expect(c.status == 0, "\(c.stderr)")
        #expect(c.stdout.contains("\"dataset\":\"calibration.txt\""))
        #expect(FileManager.default.fileExists(atPath: d + "/m.imatrix"))
        let again = try ingot("calibrate", llamaDir, "--text", text, "-o", d + "/m.imatrix")
        #expect(again.status == 1 && again.stderr.contains("already exists"))

        let q = try ingot("convert", llamaDir, "-o", d + "/q.ingot", "--quantize", "q4_0", "--imatrix", d + "/m.imatrix")
        #expect(q.status == 0, "\(q.stderr)")
        let i = try ingot("inspect", d + "/q.ingot")
        #expect(i.stdout.contains("importance matrix m.imatrix (xxh3 "))
        let g = try ingot("convert", llamaDir, "-o", d + "/q.gguf", "--quantize", "q4_k_m", "--imatrix", d + "/m.imatrix")
        #expect(g.status == 0, "\(g.stderr)")
        #expect(g.stdout.contains("q5_0"), "rows of 64 fall back from q4_k")
    }

    @Test func quantizeArgumentsAreChecked() throws {
        let r = try ingot("convert", model, "-o", tempDir() + "/q.ingot", "--quantize", "q4_k_m", "--group-size", "64")
        #expect(r.status == 64 && r.stderr.contains("--group-size applies to q8_0, q4_0 and q4_1 only"))
        let m = try ingot("convert", model, "-o", tempDir() + "/q.ingot", "--quantize", "q4_0", "--imatrix", "x.dat", "--method", "ref")
        #expect(m.status == 64 && m.stderr.contains("--imatrix needs --method search"))
        let u = try ingot("convert", model, "-o", tempDir() + "/q.ingot", "--quantize", "q7_k")
        #expect(u.status == 64)
        let n = try ingot("calibrate", model, "--text", "x.txt", "--token-file", "y.txt", "-o", tempDir() + "/m.dat")
        #expect(n.status == 64 && n.stderr.contains("exactly one of --text and --token-file"))
    }

    @Test func aBadImatrixFileIsOneLineNamingIt() throws {
        let d = tempDir()
        FileManager.default.createFile(atPath: d + "/bad.dat", contents: Data([0xff, 0xff, 0xff, 0x7f, 1, 2]))
        let r = try ingot("convert", model, "-o", d + "/q.ingot", "--quantize", "q4_0", "--imatrix", d + "/bad.dat")
        #expect(r.status == 1)
        #expect(r.stderr.hasPrefix("ingot: \(d)/bad.dat: "))
        #expect(r.stderr.split(separator: "\n").count == 1)
        #expect(!FileManager.default.fileExists(atPath: d + "/q.ingot"))
    }
}
