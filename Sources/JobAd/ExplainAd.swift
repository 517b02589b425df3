import ClassAd
import VMCore

/// `explain-ad`: shows an admin what the gahp makes of a job ad, without starting anything.
public enum ExplainAd {
    /// `adText`: an ad in the starter's line format. Output: every attribute's evaluated
    /// value, then the job description (or the error token and message that would refuse
    /// it), then `driverRendering` (e.g. domain XML) if given.
    ///
    /// `json`: one JSON object per line (attributes, unparsable lines, then `job` or
    /// `refused`, then `driver`), for scripts. `gahpType` nil: the ad's own `JobVMType`, so
    /// an ad can be checked without naming its type.
    public static func render(
        adText: String, json: Bool, gahpType: String?, policy: HostPolicy,
        driverRendering: (JobDescription) -> String?
    ) -> String {
        let lines = adText.split(separator: "\n", omittingEmptySubsequences: false)
            .map { String($0.hasSuffix("\r") ? $0.dropLast() : $0) }
            .filter { !DiskList.trimmed(Substring($0)).isEmpty }
        let (ad, errors) = ClassAd.parse(lines: lines)
        let type = gahpType ?? ad.string("JobVMType") ?? ""
        let outcome: Result<JobDescription, VMGAHPError>
        do {
            outcome = .success(try JobAdReader.describe(ad, adLines: lines, requestedType: type, gahpType: type, policy: policy))
        } catch {
            outcome = .failure(error)
        }
        let rendering = (try? outcome.get()).flatMap(driverRendering)
        return json
            ? ExplainJSON.render(ad: ad, errors: errors, outcome: outcome, rendering: rendering)
            : ExplainText.render(ad: ad, errors: errors, outcome: outcome, rendering: rendering)
    }
}
