//! The `agents` toolset: Microsoft Entra Agent ID — agent identities with their sponsors and
//! owners, the blueprints they are created from, the agent registry, ID Protection's risky
//! agents and their detections, the agents' sign-ins, and an admin's verdict on a risky agent.

mod model;

crate::toolset! {
    list_agent_identities,
    list_agent_blueprints,
    list_agent_registry,
    list_risky_agents,
    list_agent_sign_ins,
    triage_risky_agent,
}
