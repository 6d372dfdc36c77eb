/**
 * Copyright 2019 Google LLC
 *
 * Licensed under the Apache License, Version 2.0 (the "License");
 * you may not use this file except in compliance with the License.
 * You may obtain a copy of the License at
 *
 *      http://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software
 * distributed under the License is distributed on an "AS IS" BASIS,
 * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
 * See the License for the specific language governing permissions and
 * limitations under the License.
 */

output "roles" {
  value       = module.member_roles.roles
  description = "Project roles."
}

output "project_id" {
  value       = var.project_id
  description = "Project id."
}

output "service_account_address" {
  value       = google_service_account.member_iam_test.email
  description = "Member which was bound to projects."
}
