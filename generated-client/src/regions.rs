//! DMS for Kafka endpoints of every Huawei Cloud and T Cloud Public region.
//!
//! Huawei Cloud rows: the region table of the official Python SDK (huaweicloudsdkkafka
//! 3.1.219); their IAM endpoints follow the `iam.{region}` host naming of the DMS host.
//! T Cloud Public (formerly Open Telekom Cloud) rows: the public `dms.{region}` endpoints and
//! their IAM endpoints. Any other endpoint can be given as a URL.

use std::fmt;

/// The cloud a region belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Cloud {
    /// Huawei Cloud.
    HuaweiCloud,
    /// T Cloud Public (formerly Open Telekom Cloud).
    TCloudPublic,
}

/// A region and its endpoints (see [`REGIONS`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Region {
    /// Region id, e.g. `eu-west-101` or `eu-de`.
    pub id: &'static str,
    /// The cloud it belongs to.
    pub cloud: Cloud,
    /// Base URL of the DMS for Kafka API.
    pub endpoint: &'static str,
    /// Base URL of IAM (ends in `/v3`), for password authentication.
    pub iam_endpoint: &'static str,
}

/// A region id that is not in [`REGIONS`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
#[error("unknown region {id:?}; known regions: {known}; or give the endpoint URL instead", known = known())]
pub struct UnknownRegion {
    /// The id that was asked for.
    pub id: String,
}

fn known() -> String {
    REGIONS.iter().map(|r| r.id).collect::<Vec<_>>().join(", ")
}

impl Region {
    /// The region with id `id` (exact, case-insensitive).
    pub fn from_id(id: &str) -> Result<&'static Region, UnknownRegion> {
        let wanted = id.trim();
        REGIONS
            .iter()
            .find(|r| r.id.eq_ignore_ascii_case(wanted))
            .ok_or_else(|| UnknownRegion { id: id.to_owned() })
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id)
    }
}

/// Every known region.
pub const REGIONS: &[Region] = &[
    Region {
        id: "eu-west-101",
        cloud: Cloud::HuaweiCloud,
        endpoint: "https://dms.eu-west-101.myhuaweicloud.eu",
        iam_endpoint: "https://iam.eu-west-101.myhuaweicloud.eu/v3",
    },
    Region {
        id: "cn-north-1",
        cloud: Cloud::HuaweiCloud,
        endpoint: "https://dms.cn-north-1.myhuaweicloud.com",
        iam_endpoint: "https://iam.cn-north-1.myhuaweicloud.com/v3",
    },
    Region {
        id: "cn-north-2",
        cloud: Cloud::HuaweiCloud,
        endpoint: "https://dms.cn-north-2.myhuaweicloud.com",
        iam_endpoint: "https://iam.cn-north-2.myhuaweicloud.com/v3",
    },
    Region {
        id: "cn-north-4",
        cloud: Cloud::HuaweiCloud,
        endpoint: "https://dms.cn-north-4.myhuaweicloud.com",
        iam_endpoint: "https://iam.cn-north-4.myhuaweicloud.com/v3",
    },
    Region {
        id: "cn-east-3",
        cloud: Cloud::HuaweiCloud,
        endpoint: "https://dms.cn-east-3.myhuaweicloud.com",
        iam_endpoint: "https://iam.cn-east-3.myhuaweicloud.com/v3",
    },
    Region {
        id: "cn-east-2",
        cloud: Cloud::HuaweiCloud,
        endpoint: "https://dms.cn-east-2.myhuaweicloud.com",
        iam_endpoint: "https://iam.cn-east-2.myhuaweicloud.com/v3",
    },
    Region {
        id: "cn-south-1",
        cloud: Cloud::HuaweiCloud,
        endpoint: "https://dms.cn-south-1.myhuaweicloud.com",
        iam_endpoint: "https://iam.cn-south-1.myhuaweicloud.com/v3",
    },
    Region {
        id: "cn-south-2",
        cloud: Cloud::HuaweiCloud,
        endpoint: "https://dms.cn-south-2.myhuaweicloud.com",
        iam_endpoint: "https://iam.cn-south-2.myhuaweicloud.com/v3",
    },
    Region {
        id: "cn-southwest-2",
        cloud: Cloud::HuaweiCloud,
        endpoint: "https://dms.cn-southwest-2.myhuaweicloud.com",
        iam_endpoint: "https://iam.cn-southwest-2.myhuaweicloud.com/v3",
    },
    Region {
        id: "ap-southeast-1",
        cloud: Cloud::HuaweiCloud,
        endpoint: "https://dms.ap-southeast-1.myhuaweicloud.com",
        iam_endpoint: "https://iam.ap-southeast-1.myhuaweicloud.com/v3",
    },
    Region {
        id: "ap-southeast-2",
        cloud: Cloud::HuaweiCloud,
        endpoint: "https://dms.ap-southeast-2.myhuaweicloud.com",
        iam_endpoint: "https://iam.ap-southeast-2.myhuaweicloud.com/v3",
    },
    Region {
        id: "ap-southeast-3",
        cloud: Cloud::HuaweiCloud,
        endpoint: "https://dms.ap-southeast-3.myhuaweicloud.com",
        iam_endpoint: "https://iam.ap-southeast-3.myhuaweicloud.com/v3",
    },
    Region {
        id: "af-south-1",
        cloud: Cloud::HuaweiCloud,
        endpoint: "https://dms.af-south-1.myhuaweicloud.com",
        iam_endpoint: "https://iam.af-south-1.myhuaweicloud.com/v3",
    },
    Region {
        id: "ru-northwest-2",
        cloud: Cloud::HuaweiCloud,
        endpoint: "https://dms.ru-northwest-2.myhuaweicloud.com",
        iam_endpoint: "https://iam.ru-northwest-2.myhuaweicloud.com/v3",
    },
    Region {
        id: "cn-north-9",
        cloud: Cloud::HuaweiCloud,
        endpoint: "https://dms.cn-north-9.myhuaweicloud.com",
        iam_endpoint: "https://iam.cn-north-9.myhuaweicloud.com/v3",
    },
    Region {
        id: "la-south-2",
        cloud: Cloud::HuaweiCloud,
        endpoint: "https://dms.la-south-2.myhuaweicloud.com",
        iam_endpoint: "https://iam.la-south-2.myhuaweicloud.com/v3",
    },
    Region {
        id: "sa-brazil-1",
        cloud: Cloud::HuaweiCloud,
        endpoint: "https://dms.sa-brazil-1.myhuaweicloud.com",
        iam_endpoint: "https://iam.sa-brazil-1.myhuaweicloud.com/v3",
    },
    Region {
        id: "la-north-2",
        cloud: Cloud::HuaweiCloud,
        endpoint: "https://dms.la-north-2.myhuaweicloud.com",
        iam_endpoint: "https://iam.la-north-2.myhuaweicloud.com/v3",
    },
    Region {
        id: "na-mexico-1",
        cloud: Cloud::HuaweiCloud,
        endpoint: "https://dms.na-mexico-1.myhuaweicloud.com",
        iam_endpoint: "https://iam.na-mexico-1.myhuaweicloud.com/v3",
    },
    Region {
        id: "ap-southeast-4",
        cloud: Cloud::HuaweiCloud,
        endpoint: "https://dms.ap-southeast-4.myhuaweicloud.com",
        iam_endpoint: "https://iam.ap-southeast-4.myhuaweicloud.com/v3",
    },
    Region {
        id: "tr-west-1",
        cloud: Cloud::HuaweiCloud,
        endpoint: "https://dms.tr-west-1.myhuaweicloud.com",
        iam_endpoint: "https://iam.tr-west-1.myhuaweicloud.com/v3",
    },
    Region {
        id: "ae-ad-1",
        cloud: Cloud::HuaweiCloud,
        endpoint: "https://dms.ae-ad-1.myhuaweicloud.com",
        iam_endpoint: "https://iam.ae-ad-1.myhuaweicloud.com/v3",
    },
    Region {
        id: "eu-west-0",
        cloud: Cloud::HuaweiCloud,
        endpoint: "https://dms.eu-west-0.myhuaweicloud.com",
        iam_endpoint: "https://iam.eu-west-0.myhuaweicloud.com/v3",
    },
    Region {
        id: "me-east-1",
        cloud: Cloud::HuaweiCloud,
        endpoint: "https://dms.me-east-1.myhuaweicloud.com",
        iam_endpoint: "https://iam.me-east-1.myhuaweicloud.com/v3",
    },
    Region {
        id: "cn-east-5",
        cloud: Cloud::HuaweiCloud,
        endpoint: "https://dms.cn-east-5.myhuaweicloud.com",
        iam_endpoint: "https://iam.cn-east-5.myhuaweicloud.com/v3",
    },
    Region {
        id: "my-kualalumpur-1",
        cloud: Cloud::HuaweiCloud,
        endpoint: "https://dms.my-kualalumpur-1.myhuaweicloud.com",
        iam_endpoint: "https://iam.my-kualalumpur-1.myhuaweicloud.com/v3",
    },
    Region {
        id: "cn-east-4",
        cloud: Cloud::HuaweiCloud,
        endpoint: "https://dms.cn-east-4.myhuaweicloud.com",
        iam_endpoint: "https://iam.cn-east-4.myhuaweicloud.com/v3",
    },
    Region {
        id: "af-north-1",
        cloud: Cloud::HuaweiCloud,
        endpoint: "https://dms.af-north-1.myhuaweicloud.com",
        iam_endpoint: "https://iam.af-north-1.myhuaweicloud.com/v3",
    },
    Region {
        id: "ap-southeast-5",
        cloud: Cloud::HuaweiCloud,
        endpoint: "https://dms.ap-southeast-5.myhuaweicloud.com",
        iam_endpoint: "https://iam.ap-southeast-5.myhuaweicloud.com/v3",
    },
    Region {
        id: "ru-moscow-1",
        cloud: Cloud::HuaweiCloud,
        endpoint: "https://dms.ru-moscow-1.myhuaweicloud.com",
        iam_endpoint: "https://iam.ru-moscow-1.myhuaweicloud.com/v3",
    },
    Region {
        id: "cn-south-4",
        cloud: Cloud::HuaweiCloud,
        endpoint: "https://dms.cn-south-4.myhuaweicloud.com",
        iam_endpoint: "https://iam.cn-south-4.myhuaweicloud.com/v3",
    },
    Region {
        id: "cn-north-12",
        cloud: Cloud::HuaweiCloud,
        endpoint: "https://dms.cn-north-12.myhuaweicloud.com",
        iam_endpoint: "https://iam.cn-north-12.myhuaweicloud.com/v3",
    },
    Region {
        id: "cn-north-11",
        cloud: Cloud::HuaweiCloud,
        endpoint: "https://dms.cn-north-11.myhuaweicloud.com",
        iam_endpoint: "https://iam.cn-north-11.myhuaweicloud.com/v3",
    },
    Region {
        id: "cn-southwest-3",
        cloud: Cloud::HuaweiCloud,
        endpoint: "https://dms.cn-southwest-3.myhuaweicloud.com",
        iam_endpoint: "https://iam.cn-southwest-3.myhuaweicloud.com/v3",
    },
    Region {
        id: "eu-de",
        cloud: Cloud::TCloudPublic,
        endpoint: "https://dms.eu-de.otc.t-systems.com",
        iam_endpoint: "https://iam.eu-de.otc.t-systems.com/v3",
    },
    Region {
        id: "eu-nl",
        cloud: Cloud::TCloudPublic,
        endpoint: "https://dms.eu-nl.otc.t-systems.com",
        iam_endpoint: "https://iam.eu-nl.otc.t-systems.com/v3",
    },
];
