//! The OpenStack faces: Nova's compute API (servers, server metadata, host aggregates) under
//! `/openstack/compute`, and Keystone's identity API (login) under `/openstack/identity`, so
//! python-novaclient, openstacksdk and the `openstack` CLI work against Sitebook.

pub mod auth;
pub mod compute;
pub mod identity;
