import ClassAd
import VMCore

/// explain-ad's `--json` form: one JSON object per line.
enum ExplainJSON {
    static func render(
        ad: ClassAd, errors: [ClassAdParseError], outcome: Result<JobDescription, VMGAHPError>, vmType: String, rendering: String?
    ) -> String {
        var objects: [JSONText] = ad.attributeNames.map { name in
            let value = ad.evaluate(name)
            return .object([
                ("name", .string(name)), ("type", .string(value.typeName)), ("value", json(value)),
                ("old", ad.oldExpression(name).map(JSONText.string) ?? .null),
            ])
        }
        objects += errors.map { .object([("line", .string($0.line)), ("error", .string($0.message))]) }
        switch outcome {
        case .success(let job):
            objects.append(.object([("job", .object(job.jsonMembers))]))
        case .failure(let error):
            let token = error.startToken(vmType: vmType)
            objects.append(.object([("refused", .object([
                ("token", .string(token.rawValue)), ("fault", .string(error.fault.rawValue)), ("holds", .bool(token.putsJobOnHold)),
                ("found", .string(error.code.rawValue)), ("message", .string(error.message)),
            ]))]))
        }
        if let rendering {
            objects.append(.object([("driver", .string(rendering))]))
        }
        return objects.map { $0.encoded + "\n" }.joined()
    }

    /// `undefined` and `error` have no JSON value; `type` tells them apart.
    static func json(_ value: ClassAdValue) -> JSONText {
        switch value {
        case .undefined, .error: .null
        case .boolean(let flag): .bool(flag)
        case .integer(let number): .int(number)
        case .real(let number): .double(number)
        case .string(let text): .string(text)
        case .list(let values): .array(values.map(json))
        case .classAd(let nested): .object(nested.attributeNames.map { ($0, json(nested.evaluate($0))) })
        }
    }
}
