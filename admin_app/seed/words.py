"""Word lists the demo data is made from."""

FIRST_NAMES = (
    "Jane Olivia Liam Noah Emma Ava Sophia Mia Lucas Ethan Amelia Harper Mateo Leo Aria Chloe Hiro Yuki "
    "Priya Arjun Fatima Omar Lena Jonas Elena Marco Giulia Pierre Camille Sofia Diego Lucia Ana Pedro Ines "
    "Kwame Amara Chen Wei Mei Sven Ingrid Astrid Nils Freya Aisha Tariq Zara Ravi Anika Tomás Zoë Björn "
    "Renée Łukasz Søren Dmitri Olga"
).split()
LAST_NAMES = (
    "Smith Johnson Garcia Miller Davis Rodriguez Martinez Lopez Wilson Anderson Thomas Taylor Moore Martin "
    "Lee Walker Hall Allen Young King Wright Scott Green Baker Adams Nelson Hill Campbell Mitchell Roberts "
    "Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Rossi Russo Ferrari Dubois Laurent Bernard "
    "Tanaka Suzuki Sato Watanabe Kim Park Nguyen Patel Shah Singh Kowalski Nowak Jansen Berg Lindqvist "
    "O'Brien D'Angelo"
).split()
COMPANY_WORDS = (
    "Acme Globex Initech Umbrella Stark Wayne Wonka Tyrell Cyberdyne Soylent Hooli Vandelay Aperture "
    "Oscorp Massive Dynamic Gringotts Monarch Nakatomi Virtucon Blue Red Green Silver Golden Northern "
    "Southern Eastern Western Pacific Atlantic Alpine Polar Coastal Summit Harbor River Lake Forest Stone "
    "Iron Copper Cobalt Quantum Vector Nimbus Orbit Zenith Apex Vertex Pioneer Frontier Horizon Beacon "
    "Lumen Prism Nova Stellar Lunar Solar Falcon Eagle Raven Otter Fox Bear Wolf Lynx Cedar Maple Birch "
    "Willow Aspen"
).split()
SECTORS = (
    "Robotics Logistics Software Systems Analytics Bank Insurance Health Pharma Energy Foods Motors "
    "Aerospace Media Telecom Retail Labs Networks Security Cloud Foundry Works Partners Holdings Studios"
).split()
SUFFIXES = ("Inc", "GmbH", "Ltd", "LLC", "SA", "AB", "BV", "Pty Ltd", "KK", "SRL", "AG", "Oy")
COUNTRIES = ("US", "DE", "GB", "FR", "NL", "SE", "JP", "AU", "CA", "IN", "BR", "ES", "IT", "PL", "CH", "FI")
CITIES = {
    "US": "San Francisco", "DE": "Berlin", "GB": "London", "FR": "Paris", "NL": "Amsterdam",
    "SE": "Stockholm", "JP": "Tokyo", "AU": "Sydney", "CA": "Toronto", "IN": "Bengaluru",
    "BR": "São Paulo", "ES": "Madrid", "IT": "Milan", "PL": "Warsaw", "CH": "Zürich", "FI": "Helsinki",
}
RESELLERS = ("SHI International", "CDW", "Insight Enterprises", "SoftwareOne", "Crayon", "Bechtle")
STAFF = ("support@example.com", "admin@example.com", "jdoe-support@example.com", "mkim-support@example.com")
DISABLE_REASONS = (
    "Customer requested account closure",
    "Suspected account takeover reported by the customer",
    "Former employee of the customer; access removed at their admin's request",
    "Chargeback dispute: login disabled pending investigation",
)
SKIP_REASONS = (
    "No overage: billable users within subscription seats",
    "Subscription cancelled before the reconciliation date",
    "Customer opted out of quarterly reconciliation (contract clause)",
    "Reseller-managed subscription: reconciled by the partner",
    "Marketplace subscription: billed by the marketplace",
    "Previous reconciliation still processing",
    "Usage data not received from the instance",
)
ERROR_MESSAGES = (
    "Zuora API error: 429 Too Many Requests while creating amendment",
    "Payment method declined: card expired",
    "Usage ping missing for 45 days; cannot compute billable users",
    "Amendment failed: subscription version mismatch (expected 7, got 8)",
    "Timeout after 30s while creating the invoice in Zuora",
    "Invoice owner account is blocked in the billing system",
)
CURRENCIES = (("USD", 70), ("EUR", 20), ("GBP", 7), ("JPY", 3))
SEAT_PRICE = {"starter": 4, "premium": 29, "ultimate": 99}
