/// The starter plan `smdrill init` writes: every section, with the values a team must replace marked.
public enum PlanTemplate {
    public static func text(name: String, primaryRegion: String, recoveryRegion: String, scenarios: String) -> String {
        """
        # smdrill DR plan (docs/plan-format.md describes every field).
        # Replace the CRNs and ids with your own; `smdrill check --plan THIS-FILE --run` runs the drills and
        # checks every control; `smdrill list controls` shows them.
        plan: \(name)

        primary:
          crn: "crn:v1:bluemix:public:secrets-manager:\(primaryRegion):a/REPLACE-ACCOUNT:REPLACE-PRIMARY-INSTANCE::"
          region: \(primaryRegion)

        recovery:
          crn: "crn:v1:bluemix:public:secrets-manager:\(recoveryRegion):a/REPLACE-ACCOUNT:REPLACE-RECOVERY-INSTANCE::"
          region: \(recoveryRegion)
          approach: fully-operational      # zero-footprint | minimal-operation | fully-operational

        features:
          version_restore: {}
          source_of_truth:
            repository: github.com/REPLACE-ORG/secrets-desired-state
            location: global               # a region, cross-region or global
            point_in_time_recovery: true
            applies_to: [primary, recovery]
          backup:
            bucket: cos://REPLACE-BUCKET
            location: cross-region
            every: 1h
            retention: 30d
            restore_script: { path: github.com/REPLACE-ORG/dr-tools/restore, location: global }

        # Secrets whose value differs per region (connection strings, API keys); [] when there are none.
        regional_secrets: []

        dependencies:
          event_notifications:
            primary: "crn:v1:bluemix:public:event-notifications:\(primaryRegion):a/REPLACE-ACCOUNT:REPLACE-EN-PRIMARY::"
            recovery: "crn:v1:bluemix:public:event-notifications:\(recoveryRegion):a/REPLACE-ACCOUNT:REPLACE-EN-RECOVERY::"

        workloads:
          recovery_endpoint: "crn:v1:bluemix:public:secrets-manager:\(recoveryRegion):a/REPLACE-ACCOUNT:REPLACE-RECOVERY-INSTANCE::"
          configured_in: REPLACE-where-the-recovery-workloads-are-configured
          retry: { attempts: 6, backoff: exponential }

        # Who may delete production resources.
        deleters: [REPLACE-iam-ServiceId-or-AccessGroup]

        objectives:
          hardware:   { rto: 1m, rpo: 0s }
          zone:       { rto: 1m, rpo: 0s }
          corruption: { rto: 30m, rpo: 0s }
          region:     { rto: 30m, rpo: 1h }
          key_loss:   { rto: 30m, rpo: 0s }

        cadence: 90d

        # Scenario files (relative to this file) that rehearse each failure.
        drills:
          hardware:   [\(scenarios)/node-failure.yaml]
          zone:       [\(scenarios)/zone-loss.yaml]
          corruption: [\(scenarios)/corruption-version-restore.yaml]
          region:     [\(scenarios)/region-loss-source-of-truth-warm-standby.yaml]
          key_loss:   [\(scenarios)/byok-key-loss-failover.yaml]

        """
    }
}
