// Text folded for matching names in any script, diacritics ignored: "chien" finds "Chiến",
// "da nang" finds "Đà Nẵng". One rule for every filter and search box on the site.

const EXTRA = {
  đ: "d",
  Đ: "d",
  ł: "l",
  Ł: "l",
  ø: "o",
  Ø: "o",
  ı: "i",
  ß: "ss",
  æ: "ae",
  Æ: "ae",
  œ: "oe",
  Œ: "oe",
};

/** Lower case, compatibility-normalised, without combining marks. */
export function fold(text) {
  return (text || "")
    .normalize("NFKD")
    .replace(/[đĐłŁøØıßæÆœŒ]/g, (ch) => EXTRA[ch])
    .replace(/\p{M}+/gu, "")
    .toLowerCase();
}
