import FakeSecretsManager
import Foundation
import Recovery
import SecretsManager
import Testing

struct KeyLossTests {
    @Test("a complete case lets support re-wrap the data keys; reads work again")
    func completeCase() throws {
        let world = try RecoveryWorld()
        let secrets = try world.populate(count: 6)
        try world.primaryKMS.deleteRootKey(world.primary.rootKey.keyID, at: world.cloud.scheduler.now)
        #expect(throws: SecretsManagerError.self) { try world.primary.getSecret(id: secrets[0].id, by: world.manager) }
        let backup = world.cloud.createKeyManagement(.hyperProtectCrypto, region: "us-east")
        let newKey = backup.createRootKey()
        let supportCase = KeyLossCase(
            instanceCRN: world.primary.crn.description, backupKMSCRN: backup.crnText, newRootKeyID: newKey.keyID,
            originalKMSCRN: world.primaryKMS.crnText, originalKeyID: world.primary.rootKey.keyID)
        #expect(supportCase.isComplete)
        let count = try world.cloud.resolveKeyLossCase(
            instanceCRN: supportCase.instanceCRN!, backupKMSCRN: supportCase.backupKMSCRN!,
            newRootKeyID: supportCase.newRootKeyID!, originalKMSCRN: supportCase.originalKMSCRN!,
            originalKeyID: supportCase.originalKeyID!)
        #expect(count > 6)
        #expect(try world.primary.getSecret(id: secrets[0].id, by: world.manager).data == secrets[0].data)
    }

    @Test("a case that lacks information names what it lacks; wrong information is refused")
    func incompleteCase() throws {
        let partial = KeyLossCase(
            instanceCRN: "crn:v1:bluemix:public:secrets-manager:us-south:a/acc:inst::", backupKMSCRN: nil,
            newRootKeyID: "", originalKMSCRN: "not a crn", originalKeyID: "k")
        #expect(partial.missing == [
            "the backup Key Protect or HPCS instance's CRN", "the new Key Protect or HPCS root key ID",
            "the original Key Protect or HPCS instance's CRN and key ID",
        ])
        let world = try RecoveryWorld()
        #expect(throws: KeyLossSupportError.self) {
            try world.cloud.resolveKeyLossCase(
                instanceCRN: world.primary.crn.description, backupKMSCRN: world.primaryKMS.crnText,
                newRootKeyID: "no-such-key", originalKMSCRN: world.primaryKMS.crnText, originalKeyID: world.primary.rootKey.keyID)
        }
        // The key was never deleted: nothing to recover.
        let backup = world.cloud.createKeyManagement(.keyProtect, region: "us-east")
        #expect(throws: KeyLossSupportError.self) {
            try world.cloud.resolveKeyLossCase(
                instanceCRN: world.primary.crn.description, backupKMSCRN: backup.crnText,
                newRootKeyID: backup.createRootKey().keyID, originalKMSCRN: world.primaryKMS.crnText,
                originalKeyID: world.primary.rootKey.keyID)
        }
    }
}
