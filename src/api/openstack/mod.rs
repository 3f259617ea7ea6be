//! The OpenStack faces: Nova's compute API (servers, server metadata, host aggregates) under
//! `/openstack/compute`, so python-novaclient, openstacksdk and the `openstack` CLI work
//! against Sitebook.

pub mod compute;
