account_id       = "731946220845"
customer_records = 2380000

# One entry per engineer with AWS access. Offboarding removes the person here.
teams = {
  auth = {
    description = "Customer login, sessions and token issuing"
    roles       = ["auth-operator"]
    members = {
      "priya.raman" = { email = "priya.raman@kestrelpay.example", cli_access = true }
      "mateo.ruiz"  = { email = "mateo.ruiz@kestrelpay.example", cli_access = true }
      "jonas.weber" = { email = "jonas.weber@kestrelpay.example" }
    }
  }

  data = {
    description = "Reporting and customer analytics"
    roles       = ["customer-analytics"]
    members = {
      "amara.osei" = { email = "amara.osei@kestrelpay.example", cli_access = true }
      "li.wen"     = { email = "li.wen@kestrelpay.example" }
    }
  }

  sre = {
    description = "Site reliability: on-call, networking, deploy pipeline"
    members = {
      "tomas.novak"  = { email = "tomas.novak@kestrelpay.example" }
      "grace.mwangi" = { email = "grace.mwangi@kestrelpay.example" }
    }
  }
}
