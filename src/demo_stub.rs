pub struct DemoOptions {
    pub scale: u32,
    pub seed: u64,
    pub now: Option<chrono::DateTime<chrono::Utc>>,
    pub latency_ms: u64,
}
impl Default for DemoOptions {
    fn default() -> Self {
        DemoOptions { scale: 1, seed: 1, now: None, latency_ms: 0 }
    }
}
pub struct DemoGraph;
impl DemoGraph {
    pub async fn start(_o: DemoOptions) -> anyhow::Result<DemoGraph> {
        Ok(DemoGraph)
    }
    pub fn base_url(&self) -> String {
        String::new()
    }
}
pub fn persona_object_id() -> String {
    String::new()
}
