-- What every till of a shop reads besides its own: the shop's station records and contracts
-- (a till routes an emergency by the contract covering it, which its admin made elsewhere).
ALTER TABLE changes ADD COLUMN shared INTEGER NOT NULL DEFAULT 0;
UPDATE changes SET shared = 1, station_id = NULL WHERE entity IN ('station', 'contract');
CREATE INDEX changes_shared ON changes (shop_id, revision) WHERE shared;
