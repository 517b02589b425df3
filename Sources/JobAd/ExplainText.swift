import ClassAd
import VMCore

/// explain-ad's human form. Ad text is shown with control characters escaped, so a hostile
/// ad cannot rewrite the admin's terminal.
enum ExplainText {
    static func render(
        ad: ClassAd, errors: [ClassAdParseError], outcome: Result<JobDescription, VMGAHPError>, vmType: String, rendering: String?
    ) -> String {
        var out = "Attributes (\(ad.attributeNames.count)):\n"
        for name in ad.attributeNames {
            let value = ad.evaluate(name)
            let old = ad.oldExpression(name) ?? value.oldSyntax
            out += "  \(TextRules.escaped(name)) = \(TextRules.escaped(old))  =>  \(value.typeName) \(TextRules.escaped(value.oldSyntax))\n"
        }
        if !errors.isEmpty {
            out += "Lines that do not parse (\(errors.count)):\n"
            for error in errors {
                out += "  \(TextRules.escaped(error.line))  :  \(TextRules.escaped(error.message))\n"
            }
        }
        switch outcome {
        case .success(let job):
            out += "Job description:\n"
            for (key, value) in job.jsonMembers {
                if case .array(let items) = value, !items.isEmpty, case .object = items[0] {
                    out += "  \(key):\n" + items.map { "    - \(TextRules.escaped($0.encoded))\n" }.joined()
                } else {
                    out += "  \(key): \(TextRules.escaped(value.encoded))\n"
                }
            }
        case .failure(let error):
            let token = error.startToken(vmType: vmType)
            let consequence = token.putsJobOnHold ? "the starter holds the job" : "the starter requeues the job and takes the host offline"
            out += "Refused: \(token.rawValue)\n  \(error.fault.rawValue) fault: \(consequence)\n"
            if token != error.code { out += "  found: \(error.code.rawValue)\n" }
            out += "  \(TextRules.escaped(error.message))\n"
        }
        if let rendering {
            out += "Driver rendering:\n"
            out += rendering.split(separator: "\n", omittingEmptySubsequences: false)
                .map { "  " + TextRules.escaped(String($0)) + "\n" }.joined()
        }
        return out
    }
}
