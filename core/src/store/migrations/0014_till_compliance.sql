-- A till's facts for the cash-register law (its make, serial number, site, TSE and the retired
-- ones, the site's last report), as the station record carries them: kept whole, as JSON,
-- since they are read and written with the record and never searched on their own.
ALTER TABLE stations ADD COLUMN compliance TEXT;
