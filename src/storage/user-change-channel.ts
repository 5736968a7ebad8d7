/** The PostgreSQL NOTIFY channel on which the users table announces a changed row (payload: its id). */
export const USER_CHANGE_CHANNEL = 'gatehouse_user_changed';
