#include "dialogs/catalog.hpp"

namespace prik::dialogs {

std::optional<Language> parse_language(std::string_view code) {
  if (code == "da") return Language::da;
  if (code == "en") return Language::en;
  return std::nullopt;
}

const char* language_code(Language language) { return language == Language::da ? "da" : "en"; }

const Entry* Campaign::find(std::string_view entry_id) const {
  for (const auto& entry : entries) {
    if (entry.id == entry_id) return &entry;
  }
  return nullptr;
}

const Campaign* Catalog::find_campaign(std::string_view campaign_id) const {
  for (const auto& campaign : campaigns) {
    if (campaign.id == campaign_id) return &campaign;
  }
  return nullptr;
}

const Entry* Catalog::find_entry(std::string_view entry_id) const {
  const Campaign* campaign = campaign_of(entry_id);
  return campaign ? campaign->find(entry_id) : nullptr;
}

const Campaign* Catalog::campaign_of(std::string_view entry_id) const {
  for (const auto& campaign : campaigns) {
    if (campaign.find(entry_id)) return &campaign;
  }
  return nullptr;
}

}  // namespace prik::dialogs
