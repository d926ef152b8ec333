"""The words staff read, one meaning each, written once for every page (and the data layer's labels).

"Active" is kept for the one license a company runs on (DESIGN.md's active-license rule); a license is
"Current" between its start and its expiry, whether or not it is the active one.
"""

LICENSE_CURRENT = "Current"
LICENSE_EXPIRED = "Expired"
LICENSE_NOT_STARTED = "Not started yet"

ACTIVE_LICENSE = "Active license"
ACTIVE_LICENSE_MEANING = "The license the company runs on: of its current licenses, the one issued last."
ONLY_ACTIVE_LICENSES = "Only each company's active license"

# A customer's login to the portal (`login_activated`), said the same way on every page.
LOGIN_ON = "Can sign in"
LOGIN_OFF = "Cannot sign in"
# Why a login is off: switched off after the customer was created (rule 6), or never switched on.
LOGIN_DISABLED_ON_PURPOSE = "Disabled on purpose"
LOGIN_NEVER_ENABLED = "Never enabled"
