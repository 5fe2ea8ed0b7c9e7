/**
 * Azure built-in role definitions by id: the roles infra/ assigns and the ones most often confused
 * with them. Names and ids as published in Microsoft's "Azure built-in roles" reference
 * (learn.microsoft.com/azure/role-based-access-control/built-in-roles, the Storage, Analytics,
 * Integration and Monitor pages; also `az role definition list --name <id>`). Built-in role ids are
 * the same in every tenant and never change.
 */
export const BUILT_IN_ROLES: Readonly<Record<string, string>> = {
  'a638d3c7-ab3a-418d-83e6-5f17a39d4fde': 'Azure Event Hubs Data Receiver',
  '2b629674-e913-4c01-ae53-ef4638d8f975': 'Azure Event Hubs Data Sender',
  'f526a384-b230-433a-b45c-95f59c4a2dec': 'Azure Event Hubs Data Owner',
  'b7e6dc6d-f1e8-4753-8033-0f276bb0955b': 'Storage Blob Data Owner',
  'ba92f5b4-2d11-453d-a403-e96b0029c9fe': 'Storage Blob Data Contributor',
  '2a2b9908-6ea1-4ae2-8e65-a410df84e7d1': 'Storage Blob Data Reader',
  '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3': 'Storage Table Data Contributor',
  '76199698-9eea-4c19-bc75-cec21354c6b6': 'Storage Table Data Reader',
  '974c5e8b-45b9-4653-ba55-5f855dd0fb88': 'Storage Queue Data Contributor',
  '17d1049b-9a84-46fb-8f53-869881c3d3ab': 'Storage Account Contributor',
  '3913510d-42f4-4e42-8a64-420c390055eb': 'Monitoring Metrics Publisher',
  '43d0d8ad-25c7-4714-9337-8ba259a9fe05': 'Monitoring Reader',
  '73c42c96-874c-492b-b04d-ab87d138a893': 'Log Analytics Reader',
  'acdd72a7-3385-48ef-bd42-f606fba81ae7': 'Reader',
  'b24988ac-6180-42a0-ab88-20f7382dd24c': 'Contributor',
  '8e3af657-a8ff-443c-a75c-2fe8c4bcb635': 'Owner',
};
