// TEMPORARY: stands in for the precomputed-table verifier until it lands.
use p256::ecdsa::signature::hazmat::PrehashVerifier;
pub struct PreparedKey(p256::ecdsa::VerifyingKey);
impl PreparedKey {
    pub fn new(key: &p256::ecdsa::VerifyingKey) -> Self {
        PreparedKey(*key)
    }
    pub fn verify_prehash(&self, prehash: &[u8; 32], signature: &p256::ecdsa::Signature) -> bool {
        self.0.verify_prehash(prehash, signature).is_ok()
    }
    pub fn table_bytes(&self) -> usize {
        0
    }
}
