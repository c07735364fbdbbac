DROP TABLE pending_attributes;
