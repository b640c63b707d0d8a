#ifdef __cplusplus
extern "C" {
#endif
void anpr_set_num_threads(int n);
int anpr_get_num_threads(void);
#ifdef __cplusplus
}
#endif
