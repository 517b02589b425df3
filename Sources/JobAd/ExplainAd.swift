import ClassAd
import VMCore

/// `explain-ad`: shows an admin what the gahp makes of a job ad, without starting anything.
public enum ExplainAd {
    /// `adText`: an ad in the starter's line format. Output: every attribute's evaluated
    /// value, then the job description (or the token START would report, whose fault it is,
    /// and the message), then `driverRendering` (e.g. domain XML) if given.
    ///
    /// `json`: one JSON object per line (attributes, unparsable lines, then `job` or
    /// `refused`, then `driver`), for scripts. `gahpType` nil: the ad's own `JobVMType`, so
    /// an ad can be checked without naming its type.
    public static func render(
        adText: String, json: Bool, gahpType: String?, policy: HostPolicy, jobUser: FileOwner? = nil,
        driverRendering: (JobDescription) -> String?
    ) -> String {
        // "\r\n" is one Character in Swift, so it is a separator of its own.
        let lines = adText.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" }
            .map(String.init)
            .filter { !TextRules.trimmed($0).isEmpty }
        let (ad, errors) = ClassAd.parse(lines: lines)
        let type = gahpType ?? ad.string("JobVMType") ?? ""
        let outcome: Result<JobDescription, VMGAHPError>
        do {
            outcome = .success(try JobAdReader.describe(ad, adLines: lines, requestedType: type, gahpType: type, policy: policy, jobUser: jobUser))
        } catch {
            outcome = .failure(error)
        }
        let rendering = (try? outcome.get()).flatMap(driverRendering)
        return json
            ? ExplainJSON.render(ad: ad, errors: errors, outcome: outcome, vmType: type, rendering: rendering)
            : ExplainText.render(ad: ad, errors: errors, outcome: outcome, vmType: type, rendering: rendering)
    }
}

extension ClassAd {
    /// The attribute's expression in old syntax, without the `Name = ` that
    /// `unparsedOld` puts in front.
    func oldExpression(_ name: String) -> String? {
        guard let line = unparsedOld(name) else { return nil }
        let prefix = name + " = "
        return line.hasPrefix(prefix) ? String(line.dropFirst(prefix.count)) : line
    }
}
