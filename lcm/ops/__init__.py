"""Operations that change a repository, each built on a change-set (`lcm.ops.changeset`):
set/unset/edit/reseal, rollback, merge, init and tenants, key sharing, and (as they land)
rotation, promotion and export."""
